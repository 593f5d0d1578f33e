<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Form;

use Drupal\Component\Utility\EmailValidatorInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Queue\QueueFactory;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Sender identity, issue content type and delivery pace of the newsletter.
 */
class NewsletterHubSettingsForm extends ConfigFormBase {

  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    protected readonly EmailValidatorInterface $emailValidator,
    protected readonly QueueFactory $queueFactory,
  ) {
    parent::__construct($config_factory, $typed_config_manager);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('config.factory'),
      $container->get('config.typed'),
      $container->get('email.validator'),
      $container->get('queue'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'newsletter_hub_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['newsletter_hub.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $waiting = $this->queueFactory->get('newsletter_hub_delivery')->numberOfItems();
    if ($waiting > 0) {
      $form['queue_status'] = [
        '#type' => 'item',
        '#markup' => $this->formatPlural($waiting, '1 batch of recipients is waiting to be mailed.', '@count batches of recipients are waiting to be mailed.'),
      ];
    }
    $form['sender_name'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Sender name'),
      '#config_target' => 'newsletter_hub.settings:sender_name',
    ];
    $form['sender_mail'] = [
      '#type' => 'email',
      '#title' => $this->t('Sender email address'),
      '#description' => $this->t('Leave empty to use the site email address.'),
      '#config_target' => 'newsletter_hub.settings:sender_mail',
    ];
    $form['issue_bundle'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Issue content type'),
      '#description' => $this->t('Machine name of the content type newsletter issues are written in.'),
      '#required' => TRUE,
      '#config_target' => 'newsletter_hub.settings:issue_bundle',
    ];
    $form['batch_size'] = [
      '#type' => 'number',
      '#title' => $this->t('Recipients per batch'),
      '#min' => 1,
      '#max' => 500,
      '#config_target' => 'newsletter_hub.settings:batch_size',
    ];
    $form['pending_lifetime'] = [
      '#type' => 'number',
      '#title' => $this->t('Days to wait for a confirmation'),
      '#description' => $this->t('Unconfirmed subscriptions older than this are deleted on cron.'),
      '#min' => 1,
      '#config_target' => 'newsletter_hub.settings:pending_lifetime',
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $mail = $form_state->getValue('sender_mail');
    if ($mail !== '' && !$this->emailValidator->isValid($mail)) {
      $form_state->setErrorByName('sender_mail', $this->t('%mail is not a valid sender address.', ['%mail' => $mail]));
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    parent::submitForm($form, $form_state);
    $this->messenger()->addStatus($this->t('New settings apply to batches queued from now on.'));
  }

}
