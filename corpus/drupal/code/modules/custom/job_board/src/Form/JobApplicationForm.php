<?php

declare(strict_types=1);

namespace Drupal\job_board\Form;

use Drupal\Component\Utility\EmailValidatorInterface;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Mail\MailManagerInterface;
use Drupal\job_board\ApplicationStorageInterface;
use Drupal\job_board\JobListingRepository;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Lets a candidate apply to an open job posting with a cover letter.
 */
final class JobApplicationForm extends FormBase {

  /**
   * Constructs a new JobApplicationForm object.
   */
  public function __construct(
    private readonly ApplicationStorageInterface $applications,
    private readonly EmailValidatorInterface $emailValidator,
    private readonly MailManagerInterface $mailManager,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('job_board.application_storage'),
      $container->get('email.validator'),
      $container->get('plugin.manager.mail'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'job_board_application';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state, ?NodeInterface $node = NULL): array {
    if (!$node || $node->bundle() !== JobListingRepository::BUNDLE || !$node->isPublished()) {
      throw new NotFoundHttpException();
    }
    $account = $this->currentUser();
    $form_state->set('job', $node);
    if ($account->isAuthenticated() && $this->applications->hasApplied((int) $node->id(), (int) $account->id())) {
      $form['already'] = ['#markup' => $this->t('You have already applied for %job.', ['%job' => $node->label()])];
      return $form;
    }
    $form['name'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Full name'),
      '#required' => TRUE,
      '#default_value' => $account->isAuthenticated() ? $account->getDisplayName() : '',
    ];
    $form['mail'] = [
      '#type' => 'email',
      '#title' => $this->t('Email address'),
      '#required' => TRUE,
      '#default_value' => $account->getEmail(),
    ];
    $form['cover_letter'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Cover letter'),
      '#rows' => 10,
      '#required' => TRUE,
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = ['#type' => 'submit', '#value' => $this->t('Send application')];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    if (!$this->emailValidator->isValid((string) $form_state->getValue('mail'))) {
      $form_state->setErrorByName('mail', $this->t('Enter a valid email address.'));
    }
    $minimum = (int) $this->config('job_board.settings')->get('min_cover_letter_length');
    if (mb_strlen(trim((string) $form_state->getValue('cover_letter'))) < $minimum) {
      $form_state->setErrorByName('cover_letter', $this->t('The cover letter must be at least @count characters long.', ['@count' => $minimum]));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    /** @var \Drupal\node\NodeInterface $job */
    $job = $form_state->get('job');
    $name = trim((string) $form_state->getValue('name'));
    $this->applications->add(
      (int) $job->id(),
      (int) $this->currentUser()->id(),
      $name,
      (string) $form_state->getValue('mail'),
      trim((string) $form_state->getValue('cover_letter')),
    );

    $recipient = (string) $this->config('job_board.settings')->get('notification_email');
    if ($recipient !== '') {
      $this->mailManager->mail('job_board', 'new_application', $recipient, $job->language()->getId(), ['job' => $job, 'name' => $name]);
    }
    $this->messenger()->addStatus($this->t('Thank you, @name. Your application for %job has been sent.', [
      '@name' => $name,
      '%job' => $job->label(),
    ]));
    $form_state->setRedirectUrl($job->toUrl());
  }

}
