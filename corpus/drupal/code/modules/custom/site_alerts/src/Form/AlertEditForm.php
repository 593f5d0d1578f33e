<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Form;

use Drupal\Component\Uuid\UuidInterface;
use Drupal\Core\Datetime\DrupalDateTime;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\site_alerts\AlertRepositoryInterface;
use Drupal\site_alerts\AlertSeverity;
use Drupal\site_alerts\SiteAlert;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Schedules a new site alert with its message, severity and time window.
 */
class AlertEditForm extends FormBase {

  public function __construct(
    protected readonly AlertRepositoryInterface $repository,
    protected readonly UuidInterface $uuid,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('site_alerts.alert_repository'),
      $container->get('uuid'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'site_alerts_alert_edit';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $form['message'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Message'),
      '#rows' => 3,
      '#maxlength' => 500,
      '#required' => TRUE,
    ];
    $form['severity'] = [
      '#type' => 'radios',
      '#title' => $this->t('Severity'),
      '#options' => AlertSeverity::options(),
      '#default_value' => $this->config('site_alerts.settings')->get('default_severity'),
    ];
    $form['starts_at'] = [
      '#type' => 'datetime',
      '#title' => $this->t('Show from'),
      '#default_value' => new DrupalDateTime(),
      '#required' => TRUE,
    ];
    $form['ends_at'] = [
      '#type' => 'datetime',
      '#title' => $this->t('Show until'),
      '#description' => $this->t('Leave empty to show the alert until it is removed.'),
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $this->t('Schedule alert'),
      '#button_type' => 'primary',
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $starts = $form_state->getValue('starts_at');
    $ends = $form_state->getValue('ends_at');
    if ($starts instanceof DrupalDateTime && $ends instanceof DrupalDateTime
      && $ends->getTimestamp() <= $starts->getTimestamp()) {
      $form_state->setErrorByName('ends_at', $this->t('The alert must end after it starts.'));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $ends = $form_state->getValue('ends_at');
    $alert = new SiteAlert(
      $this->uuid->generate(),
      trim($form_state->getValue('message')),
      AlertSeverity::from($form_state->getValue('severity')),
      $form_state->getValue('starts_at')->getTimestamp(),
      $ends instanceof DrupalDateTime ? $ends->getTimestamp() : NULL,
    );
    $this->repository->save($alert);

    $this->messenger()->addStatus($this->t('The %severity alert has been scheduled.', [
      '%severity' => $alert->severity->label(),
    ]));
    $form_state->setRedirect('site_alerts.admin_overview');
  }

}
