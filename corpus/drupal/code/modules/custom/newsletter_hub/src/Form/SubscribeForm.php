<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Form;

use Drupal\Component\Utility\EmailValidatorInterface;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Language\LanguageManagerInterface;
use Drupal\Core\Mail\MailManagerInterface;
use Drupal\newsletter_hub\SubscriberTokenGenerator;
use Drupal\newsletter_hub\SubscriptionManagerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Collects an email address and sends the double opt-in confirmation.
 */
class SubscribeForm extends FormBase {

  public function __construct(
    protected readonly SubscriptionManagerInterface $subscriptions,
    protected readonly SubscriberTokenGenerator $tokens,
    protected readonly MailManagerInterface $mailManager,
    protected readonly EmailValidatorInterface $emailValidator,
    protected readonly LanguageManagerInterface $languageManager,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('newsletter_hub.subscription_manager'),
      $container->get('newsletter_hub.token_generator'),
      $container->get('plugin.manager.mail'),
      $container->get('email.validator'),
      $container->get('language_manager'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'newsletter_hub_subscribe';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $form['mail'] = [
      '#type' => 'email',
      '#title' => $this->t('Email address'),
      '#required' => TRUE,
      '#attributes' => ['autocomplete' => 'email', 'placeholder' => 'you@example.com'],
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $this->t('Subscribe'),
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $mail = trim((string) $form_state->getValue('mail'));
    if (!$this->emailValidator->isValid($mail)) {
      $form_state->setErrorByName('mail', $this->t('%mail is not a valid email address.', ['%mail' => $mail]));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $langcode = $this->languageManager->getCurrentLanguage()->getId();
    $subscriber = $this->subscriptions->subscribe((string) $form_state->getValue('mail'), $langcode);

    // Say the same thing whether or not the address was known, so the form
    // cannot be used to find out who is subscribed.
    if ((int) $subscriber['status'] === SubscriptionManagerInterface::PENDING) {
      $this->mailManager->mail('newsletter_hub', 'confirm', $subscriber['mail'], $langcode, [
        'confirm_url' => $this->tokens->url($subscriber, 'confirm')->toString(),
      ]);
    }
    $this->messenger()->addStatus($this->t('Check your inbox: we sent a confirmation link to %mail.', [
      '%mail' => $subscriber['mail'],
    ]));
  }

}
